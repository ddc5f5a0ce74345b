'use client';

import type { CodedReason, ReasonParams } from '@overcommit/contracts';
import { useTranslations } from 'next-intl';
import { useCallback } from 'react';

/**
 * A reason of the engine as it comes: its English text (frames' `reason`, outcomes' `reason`),
 * and, from an engine that codes its reasons, the code (contracts' refusalCodes), its params and
 * the reasons it is made of.
 */
export interface ReasonLike {
  text: string;
  code?: string | undefined;
  params?: ReasonParams | undefined;
  causes?: CodedReason[] | undefined;
}

/** A frame event's reason (`reason`, `reasonCode`, `reasonParams`, `reasonCauses`). */
export function eventReason(e: {
  reason?: string | undefined;
  reasonCode?: string | undefined;
  reasonParams?: ReasonParams | undefined;
  reasonCauses?: CodedReason[] | undefined;
}): ReasonLike {
  return {
    text: e.reason ?? '',
    code: e.reasonCode,
    params: e.reasonParams,
    causes: e.reasonCauses,
  };
}

/** The part of next-intl's translator this needs (a hook's `t`, or createTranslator's). */
export interface ReasonTranslator {
  (key: string, values?: Record<string, string>): string;
  has: (key: string) => boolean;
}

/**
 * A coded reason in the translator's language, or null when a code (its own or a cause's) has no
 * message (an engine newer than the page). Figures are given as the engine wrote them (no digit
 * grouping), so the English reads byte for byte as the engine's text.
 */
export function sayReason(t: ReasonTranslator, reason: CodedReason): string | null {
  if (!t.has(reason.code)) return null;
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(reason.params)) values[k] = String(v);
  if (reason.causes) {
    const said: string[] = [];
    for (const cause of reason.causes) {
      const s = sayReason(t, cause);
      if (s === null) return null;
      said.push(s);
    }
    values['causes'] = said.join(t('separator'));
  }
  return t(reason.code, values);
}

/**
 * The engine's reasons in the reader's language: a coded reason's message
 * (messages/<locale>/reasons.json) with its params, or, for a reason without a code or with one
 * this dashboard does not know, the engine's English text as it came.
 */
export function useReasonText(): (reason: ReasonLike) => string {
  const t = useTranslations('reasons');
  return useCallback(
    (reason) => {
      if (!reason.code) return reason.text;
      const said = sayReason(t as unknown as ReasonTranslator, {
        code: reason.code,
        params: reason.params ?? {},
        ...(reason.causes ? { causes: reason.causes } : {}),
      });
      return said ?? reason.text;
    },
    [t],
  );
}
