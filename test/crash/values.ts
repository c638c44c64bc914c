// Values shared by the crash writer and the test that checks what survived.
export function crashValue(round: number, n: number): string {
  return `${round}:${n}:`.padEnd(40 + ((n * 37) % 300), String.fromCharCode(97 + (n % 26)));
}
