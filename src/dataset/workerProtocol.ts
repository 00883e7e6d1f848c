import type { BadFileReason } from '../logs/formats/index.ts';
import type { FileResult, ProcessorSettings, SampleThresholds } from './processFile.ts';

export type WorkerRequest =
  | { readonly id: number; readonly type: 'init'; readonly settings: ProcessorSettings }
  | { readonly id: number; readonly type: 'file'; readonly bytes: Uint8Array; readonly day: string; readonly thresholds: SampleThresholds };

export type WorkerReply =
  | { readonly id: number; readonly type: 'ready' }
  | { readonly id: number; readonly type: 'file'; readonly result: FileResult }
  | { readonly id: number; readonly type: 'bad-file'; readonly reason: BadFileReason; readonly message: string }
  | { readonly id: number; readonly type: 'error'; readonly message: string };
