// Types for the test-only Prometheus text-format parser (the package ships none): metric families as
// prom2json gives them.
declare module 'parse-prometheus-text-format' {
  export default function parsePrometheusTextFormat(text: string): unknown[];
}
