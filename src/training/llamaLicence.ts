/**
 * Llama 2 is gated: JumpStart trains it only with `accept_eula=true` (sagemaker-python-sdk, JumpStart gated models),
 * which logtune sets. That accepts Meta's licence on the AWS account's behalf, so the person approving is told so:
 * in the first training approval of a workspace, in `logtune estimate`, and by `logtune doctor`.
 */
export const LLAMA2_LICENCE = Object.freeze({
  name: 'Llama 2 Community License',
  url: 'https://ai.meta.com/llama/license/',
  /** Also the EULA JumpStart serves: s3://jumpstart-cache-prod-<region>/fmhMetadata/eula/llamaEula.txt. */
  sentence:
    "Approving a fine-tune accepts Meta's Llama 2 Community License on the AWS account's behalf " +
    '(JumpStart launches Llama 2 only with accept_eula=true)',
});

/** The plain-text form, for the CLI. */
export function llamaLicenceText(): string {
  return `${LLAMA2_LICENCE.sentence}: ${LLAMA2_LICENCE.url}`;
}
