// Offset pagination as lib/api/helpers/pagination.rb and lib/gitlab/pagination/offset_pagination.rb
// do it: `page` (default 1), `per_page` (default 20, at most 100), id ascending unless the
// finder sorted, X-* headers and a Link header (prev, next, first, last).
import type { Params } from './sim-validation.js';
import { grapeError } from './sim-replies.js';
import type { Reply } from './sim-replies.js';

// lib/api/helpers/pagination_params (use :pagination) defaults; Gitlab::Pagination::Base max
export const DEFAULT_PER_PAGE = 20;
export const MAX_PER_PAGE = 100;

function intParam(params: Params, key: string): number | null | 'invalid' {
  const raw = params[key];
  if (raw === undefined || raw === null || raw === '') return null;
  const text = String(raw).trim();
  // Grape `type: Integer`
  if (!/^[-+]?\d+$/.test(text)) return 'invalid';
  return Number(text);
}

/**
 * One page of `items` and its headers, or Grape's 400 for a non-integer `page`/`per_page`.
 * `baseUrl` + the request path and query make the Link header.
 */
export function paginate<T>(
  items: readonly T[],
  params: Params,
  url: URL,
  baseUrl: string,
): { page: T[]; headers: Record<string, string> } | Reply {
  const rawPage = intParam(params, 'page');
  const rawPer = intParam(params, 'per_page');
  if (rawPage === 'invalid') return grapeError(400, 'page is invalid');
  if (rawPer === 'invalid') return grapeError(400, 'per_page is invalid');
  const perPage = Math.min(MAX_PER_PAGE, rawPer === null || rawPer < 1 ? DEFAULT_PER_PAGE : rawPer);
  const page = rawPage === null || rawPage < 1 ? 1 : rawPage;
  const total = items.length;
  // offset_pagination.rb: at least one page
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const pageUrl = (n: number): string => {
    const u = new URL(`${baseUrl}${url.pathname}${url.search}`);
    u.searchParams.set('page', String(n));
    u.searchParams.set('per_page', String(perPage));
    return u.toString();
  };
  const next = page < totalPages ? page + 1 : null;
  const prev = page > 1 && page <= totalPages ? page - 1 : null;
  const links: string[] = [];
  if (prev !== null) links.push(`<${pageUrl(prev)}>; rel="prev"`);
  if (next !== null) links.push(`<${pageUrl(next)}>; rel="next"`);
  links.push(`<${pageUrl(1)}>; rel="first"`);
  links.push(`<${pageUrl(totalPages)}>; rel="last"`);
  return {
    page: slice,
    headers: {
      'x-page': String(page),
      'x-per-page': String(perPage),
      'x-total': String(total),
      'x-total-pages': String(totalPages),
      'x-next-page': next === null ? '' : String(next),
      'x-prev-page': prev === null ? '' : String(prev),
      link: links.join(', '),
    },
  };
}

export function isReply(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && 'status' in value;
}
