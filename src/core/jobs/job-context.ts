import { EventSink } from '../bise/events';

/** What every job gets from its shell (CLI or extension worker). */
export interface JobContext {
  readonly onEvent: EventSink;
  readonly signal?: AbortSignal;
}
