/** An AWS answer that means "you may not ask this" (so the check is "not checked", not ✗). */
export function isAccessDenied(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e.name === 'AccessDenied' ||
    e.name === 'AccessDeniedException' ||
    e.name === 'UnauthorizedOperation' ||
    e.$metadata?.httpStatusCode === 403
  );
}

export const errorText = (error: unknown) => `${(error as Error).name}: ${(error as Error).message}`;
