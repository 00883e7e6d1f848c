import { expect } from 'vitest';
import type { MessageContent } from '../../src/slack/blocks/types.ts';
import { blockText } from '../slack/support.ts';

/** The limits of reference §5.1 that apply to what we build. */
export function expectWithinLimits(message: MessageContent): void {
  const blocks = message.blocks as unknown as Record<string, any>[];
  expect(blocks.length).toBeLessThanOrEqual(50);
  expect(message.text.length).toBeGreaterThan(0);
  expect(message.text.length).toBeLessThanOrEqual(4000);
  const ids = new Set<string>();
  for (const block of blocks) {
    if (block.block_id) {
      expect(ids.has(block.block_id)).toBe(false);
      ids.add(block.block_id);
    }
    if (block.type === 'section') expect(block.text.text.length).toBeLessThanOrEqual(3000);
    if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(150);
    if (block.type === 'context') expect(block.elements.length).toBeLessThanOrEqual(10);
    if (block.type === 'actions') {
      for (const e of block.elements) {
        expect(e.text.text.length).toBeLessThanOrEqual(75);
        expect(e.action_id.length).toBeLessThanOrEqual(255);
        expect(String(e.value).length).toBeLessThanOrEqual(2000);
      }
    }
  }
  expect(blockText(message).length).toBeLessThanOrEqual(12_000);
}
