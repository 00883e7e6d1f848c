import type { Button } from './types.ts';

/** A button carrying the id of what it acts on; `primary` for the way forward, `danger` for stop/cancel. */
export function button(actionId: string, text: string, value: string, style: 'primary' | 'danger'): Button {
  return { type: 'button', action_id: actionId, value, style, text: { type: 'plain_text', text } };
}

/**
 * A button that asks "are you sure?" first, for actions that cannot be undone. The dialog's confirm button takes the
 * button's own style, so a stop/cancel confirm is red (`danger`) — https://docs.slack.dev/reference/block-kit/composition-objects/confirmation-dialog-object
 */
export function confirmedButton(
  base: Button,
  confirm: { readonly title: string; readonly text: string; readonly yes: string; readonly no: string },
): Button {
  return {
    ...base,
    confirm: {
      title: { type: 'plain_text', text: confirm.title },
      text: { type: 'mrkdwn', text: confirm.text },
      confirm: { type: 'plain_text', text: confirm.yes },
      deny: { type: 'plain_text', text: confirm.no },
      ...(base.style !== undefined && { style: base.style }),
    },
  };
}

/** The message's fallback text: its status line without mrkdwn stars and the leading emoji. */
export function plainStatus(status: string): string {
  return status.replace(/[*]/g, '').replace(/^:[a-z_]+: /, '');
}
