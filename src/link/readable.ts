// The readable-notification rule of the Link contract, shared by every module here: the handler runs
// asynchronously (never inside receive() or flush()) and at most once until receive() is called again.

export class ReadableSignal {
  private handler: (() => void) | null = null;
  private immediate: NodeJS.Immediate | null = null;
  /** The handler ran and receive() has not been called since. */
  private notified = false;
  private readonly fireBound: () => void;

  /** `hasFrames` tells whether receive() would return frames now. */
  constructor(private readonly hasFrames: () => boolean) {
    this.fireBound = () => this.fire();
  }

  get hasHandler(): boolean {
    return this.handler !== null;
  }

  setHandler(handler: (() => void) | null): void {
    this.handler = handler;
    this.notified = false;
    if (handler === null) this.cancel();
    else if (this.hasFrames()) this.schedule();
  }

  /** To be called at the end of receive(): re-arms, and schedules a call if frames are still waiting. */
  received(): void {
    this.notified = false;
    if (this.handler !== null && this.hasFrames()) this.schedule();
  }

  /** Frames arrived: call the handler on a later turn of the event loop (setImmediate batches a burst). */
  schedule(): void {
    if (this.handler === null || this.notified || this.immediate !== null) return;
    this.immediate = setImmediate(this.fireBound);
  }

  /** Frames arrived and the caller is already running asynchronously (an event or timer): call now. */
  notifyNow(): void {
    if (this.handler === null || this.notified || !this.hasFrames()) return;
    this.cancel();
    this.notified = true;
    this.handler();
  }

  close(): void {
    this.cancel();
    this.handler = null;
    this.notified = false;
  }

  private cancel(): void {
    if (this.immediate !== null) {
      clearImmediate(this.immediate);
      this.immediate = null;
    }
  }

  private fire(): void {
    this.immediate = null;
    if (this.handler === null || this.notified || !this.hasFrames()) return;
    this.notified = true;
    this.handler();
  }
}
