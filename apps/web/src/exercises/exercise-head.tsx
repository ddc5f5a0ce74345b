'use client';

import { Alert } from '@mantine/core';
import { useTranslations } from 'next-intl';
import type { ReactNode } from 'react';
import type { ApiResult } from '../api';
import { PageSettings } from '../ui/language-switch';

/**
 * An instructor's page without its token: the answer every load gives instead of calling the API
 * (`message` is the key of what ExerciseHead says instead, in the reader's language).
 */
export const NEEDS_INSTRUCTOR_LINK = 'exercise:needs-instructor-link';
export const needsInstructorLink = <T,>(): Promise<ApiResult<T>> =>
  Promise.resolve({ ok: false, error: { message: NEEDS_INSTRUCTOR_LINK } });

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
  what: 'exercise' | 'report';
}) {
  const t = useTranslations('exercise');
  return (
    <>
      <header className="home-head">
        <h1>{title}</h1>
        <p className="lede">{lede ?? t('head.loading')}</p>
        <PageSettings />
      </header>
      {error && lede === null ? (
        <Alert color="red" title={t('head.cannotShow', { what })} role="alert">
          {error === NEEDS_INSTRUCTOR_LINK ? t('head.needsLink') : error}
        </Alert>
      ) : null}
    </>
  );
}
