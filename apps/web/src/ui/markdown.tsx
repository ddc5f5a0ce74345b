'use client';

import ReactMarkdown from 'react-markdown';

/**
 * Markdown written by a scenario's author (an exercise's briefing), rendered as text: raw HTML in
 * it is shown, not run, and links open in a new tab without a referrer (pages carry tokens).
 */
export function Markdown({ text, testId }: { text: string; testId?: string }) {
  return (
    <div className="briefing markdown" data-testid={testId}>
      <ReactMarkdown
        skipHtml
        components={{
          a: ({ href, children }) => (
            <a href={href} target="_blank" rel="noreferrer noopener">
              {children}
            </a>
          ),
        }}
      >
        {text}
      </ReactMarkdown>
    </div>
  );
}
