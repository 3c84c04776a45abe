// The part of autocannon's programmatic API the benchmark uses (it ships no types).
declare module "autocannon" {
  interface Options {
    url: string;
    method?: string;
    headers?: Record<string, string>;
    connections?: number;
    duration?: number;
    /** Called with each client right after it is constructed. */
    setupClient?: (client: { parser: Record<number, unknown> }) => void;
  }
  interface Result {
    requests: { average: number; total: number };
    errors: number;
    non2xx: number;
    duration: number;
  }
  export default function autocannon(opts: Options): Promise<Result>;
}
