/**
 * A worker stand-in for Node tests: the dispatcher serves handlers on one end of a MessageChannel, the client
 * talks to the other end. Same messages, same structured cloning and transfer lists as a real Worker.
 */
import { serve, type Handlers } from './dispatcher.ts';
import type { WorkerLike } from './client.ts';
import type { ApiMap, Endpoint } from './protocol.ts';

export interface ChannelWorker extends WorkerLike {
  terminated: boolean;
  /** What a Worker does when its script dies (uncaught error, out of memory): an 'error' event on it. */
  crash(message: string): void;
}

export function channelWorker<Api extends ApiMap>(handlers: Handlers<Api>): ChannelWorker {
  const { port1, port2 } = new MessageChannel();
  const errorListeners: ((event: Event) => void)[] = [];
  serve<Api>(port2 as unknown as Endpoint, handlers);
  const worker: ChannelWorker = {
    terminated: false,
    postMessage: (message: unknown, transfer?: Transferable[]) => port1.postMessage(message, transfer ?? []),
    addEventListener: ((type: string, listener: (event: MessageEvent) => void) => {
      if (type === 'message') port1.addEventListener('message', listener as EventListener);
      else errorListeners.push(listener as (event: Event) => void);
    }) as WorkerLike['addEventListener'],
    start: () => port1.start(),
    crash: (message: string) => {
      const event = Object.assign(new Event('error'), { message });
      for (const listener of errorListeners) listener(event);
    },
    terminate: () => {
      worker.terminated = true;
      port1.close();
      port2.close();
    },
  };
  return worker;
}
