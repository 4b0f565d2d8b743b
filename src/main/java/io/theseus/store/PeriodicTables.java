package io.theseus.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which periodic tables should exist, as Cortex's table manager computes it (cortex-chunks.md
 * §5.3), and which existing tables retention may drop. Pure functions, thread-safe.
 *
 * <p>A {@link Series} is one {@code index:} or {@code chunks:} section of one schema period: table
 * {@code N} of a series with period {@code P} is named {@code prefix + N} and covers {@code [N*P,
 * (N+1)*P)} seconds since the epoch; period 0 means the single table {@code prefix}.
 *
 * <p>Expected tables: for each series whose {@code from <= now + grace}, every table from the one
 * containing {@code from} to the one containing {@code min(now + grace, until)} (excluding the
 * next table when that end lies exactly on a boundary). With retention {@code R > 0} at most the
 * last {@code floor(R / P) + 1} tables of a series are kept, as Cortex.
 *
 * <p>Drop candidates (stricter than Cortex, which drops anything with a managed prefix that is
 * not expected): only tables named {@code prefix + digits} of a periodic series that are not
 * expected and whose period ends, for every series with that prefix, at or before {@code now -
 * retention}: wholly older than the retention. A table that is merely unknown is never dropped.
 */
public final class PeriodicTables {
  private PeriodicTables() {}

  /** What a table holds. */
  public enum Kind {
    INDEX,
    CHUNK
  }

  /**
   * One periodic table series.
   *
   * @param until exclusive end (the next schema period's {@code from}), or null when open
   */
  public record Series(String prefix, Duration period, Instant from, Instant until, Kind kind) {
    public Series {
      Objects.requireNonNull(prefix, "prefix");
      Objects.requireNonNull(period, "period");
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(kind, "kind");
      if (prefix.isEmpty()) {
        throw new IllegalArgumentException("empty table prefix for the period from " + from);
      }
      if (period.isNegative() || period.toNanos() % 1_000_000_000L != 0) {
        throw new IllegalArgumentException(
            "table period must be whole seconds >= 0, got " + period + " for prefix " + prefix);
      }
      if (until != null && !until.isAfter(from)) {
        throw new IllegalArgumentException("period of " + prefix + " ends before it starts");
      }
    }

    /** The table holding time {@code t}. */
    public String tableFor(Instant t) {
      long p = period.toSeconds();
      return p == 0 ? prefix : prefix + Math.floorDiv(t.getEpochSecond(), p);
    }

    /** Start of table number {@code n}. */
    public Instant start(long n) {
      return Instant.ofEpochSecond(n * period.toSeconds());
    }
  }

  /** The tables that should exist now, name → series (sorted by name). */
  public static Map<String, Series> expected(
      List<Series> series, Instant now, Duration grace, Duration retention) {
    Map<String, Series> out = new TreeMap<>();
    Instant horizon = now.plus(grace);
    for (Series s : series) {
      if (s.from().isAfter(horizon)) {
        continue;
      }
      long p = s.period().toSeconds();
      if (p == 0) {
        out.put(s.prefix(), s);
        continue;
      }
      Instant end = horizon;
      if (s.until() != null && end.isAfter(s.until())) {
        end = s.until();
      }
      long first = Math.floorDiv(s.from().getEpochSecond(), p);
      long last = Math.floorDiv(end.getEpochSecond(), p);
      if (Math.floorMod(end.getEpochSecond(), p) == 0) {
        last--;
      }
      long keep = retention.isZero() ? 0 : retention.toSeconds() / p;
      if (keep > 0 && last > keep && last - first >= keep) {
        first = last - keep;
      }
      for (long n = first; n <= last; n++) {
        out.put(s.prefix() + n, s);
      }
    }
    return out;
  }

  /** Tables of {@code [from, through]} (inclusive) of every series, for printing DDL ahead. */
  public static Map<String, Series> covering(List<Series> series, Instant from, Instant through) {
    Map<String, Series> out = new TreeMap<>();
    for (Series s : series) {
      Instant a = s.from().isAfter(from) ? s.from() : from;
      Instant b = through;
      if (s.until() != null && !s.until().isAfter(b)) {
        b = s.until().minusSeconds(1);
      }
      if (b.isBefore(a)) {
        continue;
      }
      long p = s.period().toSeconds();
      if (p == 0) {
        out.put(s.prefix(), s);
        continue;
      }
      for (long n = Math.floorDiv(a.getEpochSecond(), p);
          n <= Math.floorDiv(b.getEpochSecond(), p);
          n++) {
        out.put(s.prefix() + n, s);
      }
    }
    return out;
  }

  /**
   * The existing tables that retention {@code retention} may drop (see the class comment), sorted.
   */
  public static List<String> dropCandidates(
      List<Series> series, Set<String> existing, Instant now, Duration grace, Duration retention) {
    if (retention.isZero() || retention.isNegative()) {
      return List.of();
    }
    Map<String, Series> keep = expected(series, now, grace, retention);
    long cutoff = now.minus(retention).getEpochSecond();
    Set<String> out = new TreeSet<>();
    for (String t : existing) {
      if (keep.containsKey(t)) {
        continue;
      }
      boolean managed = false;
      boolean old = true;
      for (Series s : series) {
        long p = s.period().toSeconds();
        if (!t.startsWith(s.prefix())) {
          continue;
        }
        String rest = t.substring(s.prefix().length());
        if (p == 0 || rest.isEmpty() || rest.length() > 18 || !rest.chars().allMatch(Character::isDigit)) {
          continue;
        }
        managed = true;
        long n = Long.parseLong(rest);
        if ((n + 1) * p > cutoff) {
          old = false;
        }
      }
      if (managed && old) {
        out.add(t);
      }
    }
    return new ArrayList<>(out);
  }
}
