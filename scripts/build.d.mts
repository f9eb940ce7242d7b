export declare const REPO_ROOT: string;
export declare const DIST_DIR: string;
export declare function buildStaleReason(): string | null;
export declare function ensureBuild(options?: { force?: boolean; log?: (line: string) => void }): {
  built: boolean;
  reason: string | null;
};
export declare function snapshotBuild(dest: string, options?: { log?: (line: string) => void }): {
  built: boolean;
  reason: string | null;
};
