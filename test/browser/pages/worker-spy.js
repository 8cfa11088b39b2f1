// Loaded before the SDK by hardening tests: records every Worker the SDK starts, what is posted
// to it and whether it was terminated, so tests can kill a worker the way a browser would.
(() => {
  const Native = window.Worker;
  const spy = { workers: [], posted: [], terminated: 0 };
  window.workerSpy = spy;
  window.Worker = class extends Native {
    constructor(...args) {
      super(...args);
      spy.workers.push(this);
    }
    postMessage(message, transfer) {
      spy.posted.push(message);
      return super.postMessage(message, transfer);
    }
    terminate() {
      spy.terminated++;
      return super.terminate();
    }
  };
})();
