// next-intl's types for this app: message keys (from the English files, which every locale
// mirrors), the locales and the named formats, so a typo in a key fails the typecheck.
import type { FORMATS } from './formats';
import type { Locale } from './locales';
import type common from '../../messages/en/common.json';
import type errors from '../../messages/en/errors.json';
import type reasons from '../../messages/en/reasons.json';
import type cluster from '../../messages/en/cluster.json';
import type help from '../../messages/en/help.json';
import type home from '../../messages/en/home.json';
import type exercise from '../../messages/en/exercise.json';
import type host from '../../messages/en/host.json';
import type sweep from '../../messages/en/sweep.json';
import type fork from '../../messages/en/fork.json';

declare module 'next-intl' {
  interface AppConfig {
    Locale: Locale;
    Messages: {
      common: typeof common;
      errors: typeof errors;
      reasons: typeof reasons;
      cluster: typeof cluster;
      help: typeof help;
      home: typeof home;
      exercise: typeof exercise;
      host: typeof host;
      sweep: typeof sweep;
      fork: typeof fork;
    };
    Formats: typeof FORMATS;
  }
}
