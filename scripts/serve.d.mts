export declare const MIME_TYPES: Record<string, string>;

export interface StaticServer {
  /** The page's URL, ending with the base path (e.g. `http://127.0.0.1:41234/wb/`). */
  url: string;
  port: number;
  close(): Promise<void>;
}

export declare function serveStatic(options: {
  root: string;
  base?: string;
  host?: string;
  port?: number;
  log?: (line: string) => void;
}): Promise<StaticServer>;
