package io.theseus.cli.loadtest;

import java.util.List;
import java.util.Map;

/**
 * Reads back stored samples of one metric family in [minTs, maxTs] (inclusive). The verifier's only
 * view of the server; tests substitute a fake.
 */
interface ReadBack {
  /**
   * One stored series. {@code rawNaN}: values carry exact NaN payload bits (remote read); false
   * for the JSON query API, which prints every NaN as "NaN".
   */
  record Series(Map<String, String> labels, long[] ts, double[] values) {}

  List<Series> read(String family, long minTs, long maxTs) throws Exception;

  /** True when NaN payload bits survive the read path. */
  boolean rawNaN();

  /** A short description for reports (e.g. the URL). */
  String describe();
}
