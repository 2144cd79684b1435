// Content-Type by file extension (RFC 9110 §8.3). Unknown extensions get application/octet-stream, which
// RFC 9110 §8.3 allows a recipient to treat as "unknown data" rather than guessing.

const TYPES: ReadonlyMap<string, string> = new Map([
  ['html', 'text/html; charset=utf-8'],
  ['htm', 'text/html; charset=utf-8'],
  ['txt', 'text/plain; charset=utf-8'],
  ['css', 'text/css; charset=utf-8'],
  ['js', 'text/javascript; charset=utf-8'],
  ['mjs', 'text/javascript; charset=utf-8'],
  ['json', 'application/json'],
  ['xml', 'application/xml'],
  ['csv', 'text/csv; charset=utf-8'],
  ['md', 'text/markdown; charset=utf-8'],
  ['svg', 'image/svg+xml'],
  ['png', 'image/png'],
  ['jpg', 'image/jpeg'],
  ['jpeg', 'image/jpeg'],
  ['gif', 'image/gif'],
  ['webp', 'image/webp'],
  ['ico', 'image/vnd.microsoft.icon'],
  ['pdf', 'application/pdf'],
  ['zip', 'application/zip'],
  ['gz', 'application/gzip'],
  ['tar', 'application/x-tar'],
  ['wasm', 'application/wasm'],
  ['mp4', 'video/mp4'],
  ['mp3', 'audio/mpeg'],
  ['woff', 'font/woff'],
  ['woff2', 'font/woff2'],
]);

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** The Content-Type for a file name, chosen by its extension (case-insensitive). */
export function contentTypeFor(fileName: string): string {
  const slash = fileName.lastIndexOf('/');
  const dot = fileName.lastIndexOf('.');
  if (dot <= slash + 1) return DEFAULT_CONTENT_TYPE; // no extension, or a dot-file such as ".profile"
  return TYPES.get(fileName.slice(dot + 1).toLowerCase()) ?? DEFAULT_CONTENT_TYPE;
}
