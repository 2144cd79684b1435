// Maps a request-target to a file inside the document root without ever leaving it.

import * as fs from 'node:fs';
import * as path from 'node:path';

export const RESOLVE_BAD_REQUEST = -400;
export const RESOLVE_NOT_FOUND = -404;

/**
 * Turns an origin-form (or absolute-form) request-target (RFC 9112 §3.2.1) into a normalised absolute URL path: drops the query,
 * percent-decodes (RFC 3986 §2.1), and removes "." and ".." segments (RFC 3986 §5.2.4) without climbing
 * above "/". Returns null for a target that is not origin-form or that decodes to NUL or invalid UTF-8.
 */
export function normaliseTargetPath(target: string): string | null {
  // RFC 9112 §3.2.2: a server must accept the absolute-form too; only its path matters here.
  const absolute = /^http:\/\/[^/?#]*/i.exec(target);
  if (absolute !== null) target = target.length === absolute[0].length ? '/' : target.slice(absolute[0].length);
  if (target.length === 0 || target.charCodeAt(0) !== 0x2f /* '/' */) return null;
  const q = target.search(/[?#]/);
  const raw = q >= 0 ? target.slice(0, q) : target;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const out: string[] = [];
  for (const segment of decoded.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      // Climbing above the root is an attempt to escape it: refuse rather than clamp.
      if (out.length === 0) return null;
      out.pop();
      continue;
    }
    out.push(segment);
  }
  const trailingSlash = decoded.endsWith('/') && out.length > 0;
  return '/' + out.join('/') + (trailingSlash ? '/' : '');
}

/** A document root whose real path is known, so symbolic links pointing outside it are refused. */
export class DocumentRoot {
  readonly realRoot: string;

  constructor(dir: string) {
    this.realRoot = fs.realpathSync(dir);
    if (!fs.statSync(this.realRoot).isDirectory()) throw new Error(`${dir} is not a directory`);
  }

  /**
   * The real path of the regular file a request-target names, or RESOLVE_BAD_REQUEST /
   * RESOLVE_NOT_FOUND. A directory is served by its index.html. Symbolic links are followed only when
   * they stay inside the root.
   */
  resolve(target: string): string | number {
    const urlPath = normaliseTargetPath(target);
    if (urlPath === null) return RESOLVE_BAD_REQUEST;
    let candidate = path.join(this.realRoot, urlPath);
    let real: string;
    try {
      real = fs.realpathSync(candidate);
      if (!this.inside(real)) return RESOLVE_NOT_FOUND;
      let st = fs.statSync(real);
      if (st.isDirectory()) {
        candidate = path.join(real, 'index.html');
        real = fs.realpathSync(candidate);
        if (!this.inside(real)) return RESOLVE_NOT_FOUND;
        st = fs.statSync(real);
      }
      if (!st.isFile()) return RESOLVE_NOT_FOUND;
    } catch {
      return RESOLVE_NOT_FOUND;
    }
    return real;
  }

  private inside(real: string): boolean {
    return real === this.realRoot || real.startsWith(this.realRoot + path.sep);
  }
}
