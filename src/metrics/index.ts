// Measurement: histograms, streaming CSV output.
export { type Cell, CsvWriter } from "./csv-writer.js";
export { Histogram } from "./histogram.js";
