'use client';

import { HoverCard } from '@mantine/core';
import { useTranslations } from 'next-intl';
import { cloneElement, isValidElement, type ReactElement, type ReactNode } from 'react';
import { type MetricId, metricText } from '../help/metrics';

/** The help card's body: what the figure is, its unit, its good and bad ranges, where it comes from. */
export function MetricHelpBody({ id }: { id: MetricId }) {
  const t = useTranslations('help');
  const help = metricText(id, t);
  return (
    <div className="help-card" data-testid={`help-${id}`}>
      <div className="help-title">
        {help.name} <span className="dim">({help.unit})</span>
      </div>
      <p>{help.definition}</p>
      {help.ranges ? (
        <p>
          <strong>{t('glossary.ranges')}:</strong> {help.ranges}
        </p>
      ) : null}
      <p className="dim">{help.source}</p>
      <a href={`/glossary#${id}`}>{t('glossary.more')} →</a>
    </div>
  );
}

/** A metric's name in the reader's language, where no other text is given. */
function MetricName({ id }: { id: MetricId }) {
  const t = useTranslations('help');
  return t(`metrics.${id}.name`);
}

/**
 * A metric's name with its help on hover, focus or tap: the definition and the good and bad
 * ranges. Without an element child, the name (or the text given) becomes a focusable term with a
 * dotted underline; with one (a column head's sort button), that element is the target.
 */
export function MetricHelp({ id, children }: { id: MetricId; children?: ReactNode }) {
  const target = isValidElement(children) ? (
    cloneElement(children as ReactElement<Record<string, unknown>>, { 'data-help': id })
  ) : (
    <span className="help-term" tabIndex={0} data-help={id}>
      {children ?? <MetricName id={id} />}
    </span>
  );
  return (
    <HoverCard
      width={320}
      shadow="md"
      openDelay={200}
      closeDelay={150}
      withArrow
      position="top"
      zIndex={400}
    >
      <HoverCard.Target>{target}</HoverCard.Target>
      <HoverCard.Dropdown>
        <MetricHelpBody id={id} />
      </HoverCard.Dropdown>
    </HoverCard>
  );
}
