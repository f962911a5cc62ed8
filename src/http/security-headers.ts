import type { NextFunction, Request, Response } from 'express';

/** The dashboard: its own scripts, styles and API only; no inline script or style, never in a frame. */
export const dashboardPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The GraphQL explorer (GraphiQL, from the hub's own files): scripts as strict as the dashboard's; its dialogs
 * add a <style> element (scroll lock, sized to the scrollbar: no fixed hash), and its fonts are data: URLs.
 */
export const explorerPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Downloads (the ledger) and their error answers: nothing to load, run or frame. */
export const downloadPolicy = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox";

/**
 * Security headers for pages and downloads a browser opens: a CSP, no framing (clickjacking), no
 * content sniffing (a CSV read as HTML), and no referrer (URLs carry plan codes and dates).
 */
export function securityHeaders(policy: string) {
  return (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Content-Security-Policy', policy);
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  };
}
