'use client';

import { Alert } from '@mantine/core';
import type { ReactNode } from 'react';
import type { ApiResult } from '../api';
import { PageSettings } from '../ui/language-switch';

/** An instructor's page without its token: the answer every load gives instead of calling the API. */
export const needsInstructorLink = <T,>(): Promise<ApiResult<T>> =>
  Promise.resolve({
    ok: false,
    error: { message: 'this page needs the instructor link (?token=…)' },
  });

/** The heading of an exercise's pages: title, a line under it (or "loading…"), and a failed load. */
export function ExerciseHead({
  title,
  lede,
  error,
  what,
}: {
  title: string;
  lede: ReactNode | null;
  error: string | null;
  what: string;
}) {
  return (
    <>
      <header className="home-head">
        <h1>{title}</h1>
        <p className="lede">{lede ?? 'loading…'}</p>
        <PageSettings />
      </header>
      {error && lede === null ? (
        <Alert color="red" title={`The ${what} cannot be shown`} role="alert">
          {error}
        </Alert>
      ) : null}
    </>
  );
}
