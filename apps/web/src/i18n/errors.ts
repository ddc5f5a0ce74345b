'use client';

import { useTranslations } from 'next-intl';
import { useCallback } from 'react';

/** An error as the API or the dashboard reports it: an English message, and maybe a code. */
export interface CodedError {
  message: string;
  code?: string;
  params?: Record<string, string | number>;
}

/** Why a join failed (the live feed's connection), as a coded error. */
export function joinError(connection: {
  error?: string;
  errorCode?: string;
  errorParams?: Record<string, string | number>;
}): CodedError {
  return {
    message: connection.error ?? '',
    ...(connection.errorCode ? { code: connection.errorCode } : {}),
    ...(connection.errorParams ? { params: connection.errorParams } : {}),
  };
}

type ErrorKey = Parameters<ReturnType<typeof useTranslations<'errors'>>>[0];

/**
 * An error in the reader's language: its code's message (messages/<locale>/errors.json) with its
 * params, or, for a code this dashboard does not know (an API newer than the page), the API's
 * English message as it came.
 */
export function useErrorText(): (error: CodedError) => string {
  const t = useTranslations('errors');
  return useCallback(
    (error) => {
      if (!error.code || !t.has(error.code as ErrorKey)) return error.message;
      return t(error.code as ErrorKey, { ...error.params });
    },
    [t],
  );
}
