import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { assertWritable } from '../../src/dataset/output/guard.ts';
import { S3Store } from '../../src/objectStore/s3Store.ts';

/**
 * The --out write check on S3: a multipart upload created and aborted (the permissions the build's own multipart
 * writes need). An abort that fails does not stop the build, but it is said: what may be left, under which key.
 */
const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' } });
const s3 = mockClient(client);
afterEach(() => s3.reset());

const store = () => new S3Store(client, 'datasets-bucket', 'out/ds-1/');
const accessDenied = (action: string) =>
  new S3ServiceException({
    name: 'AccessDenied',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
    message: `User is not authorized to perform: ${action}`,
  });

describe('assertWritable on S3', () => {
  it('an abort that succeeds: no warning, and no object was ever put', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-1' });
    s3.on(AbortMultipartUploadCommand).resolves({});
    await expect(assertWritable(store())).resolves.toBeUndefined();
    expect(s3.commandCalls(AbortMultipartUploadCommand)[0]!.args[0].input).toEqual({
      Bucket: 'datasets-bucket',
      Key: 'out/ds-1/train/train.jsonl',
      UploadId: 'upload-1',
    });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('an abort that is refused: a warning with the key, the upload id, what may be left and the permission', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-2' });
    s3.on(AbortMultipartUploadCommand).rejects(accessDenied('s3:AbortMultipartUpload'));
    const warning = await assertWritable(store());
    expect(warning).toContain(
      "could not abort the write check's multipart upload of s3://datasets-bucket/out/ds-1/train/train.jsonl (upload id upload-2): AccessDenied:",
    );
    expect(warning).toContain('An incomplete upload with no parts may be left there');
    expect(warning).toContain('s3:AbortMultipartUpload');
  });

  it('a refused CreateMultipartUpload (no s3:PutObject) stops the build before any log is read', async () => {
    s3.on(CreateMultipartUploadCommand).rejects(accessDenied('s3:PutObject'));
    await expect(assertWritable(store())).rejects.toThrow(
      /^cannot write to s3:\/\/datasets-bucket\/out\/ds-1\/: User is not authorized to perform: s3:PutObject$/,
    );
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
  });
});
