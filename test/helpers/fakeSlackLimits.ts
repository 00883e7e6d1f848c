/**
 * What real Slack refuses in a message, as the fake Slack checks it on chat.postMessage, chat.update and
 * chat.postEphemeral. Sources:
 * - Block Kit limits: https://docs.slack.dev/reference/block-kit/blocks (50 blocks per message, section text 3000,
 *   header 150, context 10 elements, actions 25 elements), numbers as encoded by slackapi/python-slack-sdk
 *   `slack_sdk/models/blocks/{blocks,block_elements,basic_components}.py`; a block that breaks one → `invalid_blocks`.
 * - Total text of the blocks: `msg_blocks_too_long`, undocumented, reported in slackapi/bolt-js#2509 (refused at about
 *   13.3 k characters, elsewhere at 11.3 k); the fake refuses above 12,000, the cumulative limit Slack documents for
 *   `markdown` blocks, so a message that passes here has margin on real Slack.
 * - Top-level `text`: https://docs.slack.dev/reference/methods/chat.postMessage ("truncated" past 40,000 characters;
 *   error `msg_too_long`); the fake refuses instead of truncating, so a test sees it.
 */
type Json = Record<string, unknown>;

const MAX_BLOCKS = 50;
const MAX_BLOCK_TEXT = 12_000;
const MAX_TEXT = 40_000;

/** Every text a block shows, as Slack counts it for `msg_blocks_too_long`. */
export function textsOf(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(textsOf);
  if (node && typeof node === 'object') {
    const o = node as Json;
    const own = typeof o.text === 'string' ? [o.text] : [];
    return [
      ...own,
      ...Object.entries(o).flatMap(([k, v]) => (k === 'text' && typeof v === 'string' ? [] : textsOf(v))),
    ];
  }
  return [];
}

function blockProblem(block: Json, ids: Set<string>): string | undefined {
  const text = (block.text as Json | undefined)?.text;
  const blockId = block.block_id;
  if (typeof blockId === 'string') {
    if (blockId.length > 255 || ids.has(blockId)) return `block_id ${blockId}`;
    ids.add(blockId);
  }
  switch (block.type) {
    case 'section': {
      const fields = (block.fields as Json[] | undefined) ?? [];
      if (text === undefined && fields.length === 0) return 'section without text or fields';
      if (typeof text === 'string' && (text.length === 0 || text.length > 3000)) return 'section text length';
      if (fields.length > 10 || fields.some((f) => String(f.text).length > 2000)) return 'section fields';
      return undefined;
    }
    case 'header':
      return typeof text !== 'string' || text.length === 0 || text.length > 150 ? 'header text length' : undefined;
    case 'context': {
      const elements = (block.elements as Json[] | undefined) ?? [];
      if (elements.length === 0 || elements.length > 10) return 'context elements';
      return elements.some((e) => String(e.text ?? '').length > 3000) ? 'context text length' : undefined;
    }
    case 'actions': {
      const elements = (block.elements as Json[] | undefined) ?? [];
      if (elements.length === 0 || elements.length > 25) return 'actions elements';
      for (const e of elements) {
        const label = String((e.text as Json | undefined)?.text ?? '');
        if (label.length === 0 || label.length > 75) return 'button text length';
        if (String(e.action_id ?? '').length > 255) return 'action_id length';
        if (e.value !== undefined && String(e.value).length > 2000) return 'button value length';
        if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger') return 'button style';
      }
      return undefined;
    }
    case 'divider':
    case 'rich_text':
    case 'image':
    case 'markdown':
    case 'file':
      return undefined;
    default:
      return `unknown block type ${String(block.type)}`;
  }
}

/** The error Slack answers for this message, or undefined when it would accept it. */
export function messageRefusal(args: Json): string | undefined {
  const blocks = args.blocks;
  const text = args.text;
  if ((text === undefined || text === '') && (!Array.isArray(blocks) || blocks.length === 0)) return 'no_text';
  if (typeof text === 'string' && text.length > MAX_TEXT) return 'msg_too_long';
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks) || blocks.length > MAX_BLOCKS) return 'invalid_blocks';
  const ids = new Set<string>();
  for (const block of blocks as Json[]) if (blockProblem(block, ids) !== undefined) return 'invalid_blocks';
  const total = textsOf(blocks).reduce((n, t) => n + t.length, 0);
  return total > MAX_BLOCK_TEXT ? 'msg_blocks_too_long' : undefined;
}
