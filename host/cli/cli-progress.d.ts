/**
 * The part of cli-progress 3 (no bundled types; @types/cli-progress is not installed) that
 * zbms uses: one single bar. Signatures from cli-progress's README ("Usage", "Options").
 */
declare module "cli-progress" {
  interface BarOptions {
    format?: string;
    stream?: NodeJS.WritableStream;
    hideCursor?: boolean;
    clearOnComplete?: boolean;
  }
  interface Preset {
    barCompleteChar: string;
    barIncompleteChar: string;
  }
  class SingleBar {
    constructor(opt: BarOptions, preset?: Preset);
    start(total: number, startValue: number): void;
    update(value: number): void;
    setTotal(total: number): void;
    stop(): void;
  }
  const Presets: { shades_classic: Preset; legacy: Preset; rect: Preset };
  const cliProgress: { SingleBar: typeof SingleBar; Presets: typeof Presets };
  export default cliProgress;
}
