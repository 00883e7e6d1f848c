/**
 * Python's str() of a JSON value, which is how the SDK turns spec defaults into hyperparameter and environment values
 * (`str(True)` → `True`, `str(1e-08)` → `1e-08`, a float default of 5 → `5.0`).
 */
export function pythonStr(value: string | number | boolean, type?: string): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string') return value;
  if (Number.isInteger(value) && type !== 'float') return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return `${value}.0`;
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e16)) {
    const [mantissa, exponent] = value.toExponential().split('e') as [string, string];
    const sign = exponent.startsWith('-') ? '-' : '+';
    return `${mantissa}e${sign}${exponent.replace(/^[+-]/, '').padStart(2, '0')}`;
  }
  return String(value);
}
