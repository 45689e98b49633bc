// placeholder until the handler is written
export async function handler(_event: unknown, _context?: unknown): Promise<{ statusCode: number; body: string }> {
  return { statusCode: 501, body: '{"error":"not implemented"}' };
}
