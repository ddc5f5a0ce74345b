/** One problem in a scenario file, a command or a request: where it is and what was expected. */
export interface InputError {
  /** Like `hosts[2].cpu.sockets`; `(root)` for the input as a whole. */
  path: string;
  message: string;
}
