'use client';

import { createContext, type ReactNode, useContext } from 'react';

const ApiUrlContext = createContext<string>('');

/** The API's browser-facing URL, read from the server's environment at request time (API_URL). */
export function ApiUrlProvider({ url, children }: { url: string; children: ReactNode }) {
  return <ApiUrlContext.Provider value={url}>{children}</ApiUrlContext.Provider>;
}

/** Where the browser reaches the API: the configured URL, or this page's own origin behind a front door. */
export function useApiUrl(): string {
  const url = useContext(ApiUrlContext);
  if (url) return url;
  return typeof window === 'undefined' ? '' : window.location.origin;
}
