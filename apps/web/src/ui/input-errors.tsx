'use client';

import { Alert, List, Text } from '@mantine/core';
import type { InputError } from '@overcommit/contracts';
import type { ReactNode } from 'react';

/**
 * A refused request, said once for every form: its title, what the answer said, then each error
 * at its path (the whole input when it has none), then what was left undone.
 */
export function InputErrorsAlert({
  title,
  message,
  errors,
  whole,
  note,
  testId,
  mt,
}: {
  title: string;
  /** The error in the reader's language, when the title does not already say it. */
  message?: ReactNode;
  errors: readonly InputError[] | undefined;
  /** How a path-less error's place is named ("the scenario"). */
  whole?: string;
  /** What the refusal left undone ("nothing was created"). */
  note?: ReactNode;
  testId?: string;
  mt?: string;
}) {
  return (
    <Alert color="red" mt={mt} title={title} role="alert" data-testid={testId}>
      {message}
      {errors?.length ? (
        <List size="sm">
          {errors.map((e, i) => (
            <List.Item key={i}>
              <code>{e.path || whole}</code>: {e.message}
            </List.Item>
          ))}
        </List>
      ) : null}
      {note ? (
        <Text size="xs" mt={4}>
          {note}
        </Text>
      ) : null}
    </Alert>
  );
}
