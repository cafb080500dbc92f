package io.zgrnet.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The zero-loss search: the highest offered rate at which nothing is lost, in the sense of RFC 2544
 * section 26.1 ("throughput"), found by bisection over paced trials. Loss here is at most
 * {@link #LOSS_LIMIT_PERCENT} of the trial's datagrams (a single datagram in 100,000), which on a
 * 2-vCPU machine shared with the sender separates a receiver that keeps up from one that does not,
 * where a strict zero would be decided by one scheduler hiccup.
 *
 * <p>The search: a trial at the sender's maximum (if it loses nothing the sender is the limit and
 * the search ends; else a second one, and the better of the two is the upper bound), then up to {@code steps}
 * rates, the first at 98 % of the rate the maximum trial delivered, each next one halfway between
 * the highest rate that passed (initially 0) and the lowest that failed, until the two are within
 * {@link #RESOLUTION} of each other. A rate fails when two trials at it in a row lose more than the
 * limit (the second confirms the first: a single scheduler hiccup on a shared 2-vCPU machine would
 * otherwise halve the answer); one passing trial passes it. The result is the passing trial with the highest offered rate
 * (the rate the sender actually achieved, which may sit below the requested one), with the CPU per
 * datagram measured in that trial. Every trial is kept in the row (JSON), so a reader can see how
 * sharp the edge was.
 *
 * @param trialSeconds length of each trial
 * @param steps most rates tried after the one at the maximum (each one or two trials)
 */
public record ZeroLoss(double trialSeconds, int steps) {
    /** Loss allowed in a passing trial, percent of the datagrams offered (0.001 % = 1 in 10^5). */
    public static final double LOSS_LIMIT_PERCENT = 0.001;
    /** The search stops when (highest fail - lowest pass) / highest fail is below this. */
    public static final double RESOLUTION = 0.02;
    /** The first paced trial's rate, relative to what the maximum trial delivered. */
    static final double FIRST_GUESS = 0.98;

    public ZeroLoss {
        if (!(trialSeconds > 0) || steps < 1) {
            throw new IllegalArgumentException("trial must be > 0 s and steps >= 1, got " + trialSeconds + " s, "
                    + steps);
        }
    }

    /**
     * One trial.
     *
     * @param offeredPps what the sender achieved (datagrams or messages offered per second)
     * @param deliveredPps what the receiver got per second of the trial
     * @param lossPercent (offered - delivered) / offered, after the receiver drained
     * @param cpuNs receive CPU per datagram (see the row's kind for whose)
     * @param detail where the CPU went in this trial (e2e: % of a core per thread), or ""
     */
    public record Trial(double offeredPps, double deliveredPps, double lossPercent, double cpuNs, String detail) {
        public Trial(double offeredPps, double deliveredPps, double lossPercent, double cpuNs) {
            this(offeredPps, deliveredPps, lossPercent, cpuNs, "");
        }

        /** True when the trial lost at most {@link #LOSS_LIMIT_PERCENT}. */
        public boolean passed() {
            return !Double.isNaN(lossPercent) && lossPercent <= LOSS_LIMIT_PERCENT;
        }
    }

    /** Runs one trial at a requested rate (0: the sender's maximum). */
    @FunctionalInterface
    public interface Trials {
        Trial run(long ratePps) throws Exception;
    }

    /**
     * One searched row.
     *
     * @param kind "raw" (a receiver) or "e2e" (two transports)
     * @param name receiver or backend
     * @param size datagram or payload bytes
     * @param workers decrypt workers (e2e), 0 for raw
     * @param trialSeconds length of each trial
     * @param steps most rates tried after the maximum
     * @param trials every trial in order, the first two at the maximum
     * @param found the passing trial with the highest offered rate, or null
     * @param failPps the lowest requested rate that failed (two trials in a row) after the maximum,
     *     NaN when none did
     * @param note why the row is empty, or extra facts
     */
    public record Row(String kind, String name, int size, int workers, double trialSeconds, int steps,
                      List<Trial> trials, Trial found, double failPps, String note) {
        /** The sender's maximum: the search's upper bound, the faster of the two trials at the maximum (NaN without trials). */
        public double upperBoundPps() {
            double best = Double.NaN;
            for (int i = 0; i < Math.min(2, trials.size()); i++) {
                best = Double.isNaN(best) ? trials.get(i).offeredPps() : Math.max(best, trials.get(i).offeredPps());
            }
            return best;
        }

        /** A copy with {@code more} appended to the note. */
        public Row withNote(String more) {
            return new Row(kind, name, size, workers, trialSeconds, steps, trials, found, failPps,
                    note.isEmpty() ? more : note + "; " + more);
        }
    }

    /** The metrics of a row's result (taken from its {@link Row#found()} trial), in table order. */
    public static final List<Metric<Trial>> METRICS = List.of(
            new Metric<>("rate_pps", "zero-loss rate", "pps", Metric.Style.RATE_MEDIAN, true, Trial::offeredPps),
            new Metric<>("delivered_pps", "delivered", "pps", Metric.Style.RATE_MEDIAN, false, Trial::deliveredPps),
            new Metric<>("loss_percent", "loss %", "%", Metric.Style.PERCENT, false, Trial::lossPercent),
            new Metric<>("cpu_ns_per_datagram", "CPU ns/dgram at that rate", "ns", Metric.Style.INT, true,
                    Trial::cpuNs));

    /** Runs the search over {@code trials}. */
    public Row run(String kind, String name, int size, int workers, Trials trials) throws Exception {
        List<Trial> done = new ArrayList<>();
        // The upper bound is the faster of two trials at the maximum, whether they lost or not: a
        // sender that was descheduled or still cold (the first trial of a fresh JVM) in one of
        // them must neither cap the search nor end it.
        Trial first = trials.run(0);
        Trial second = trials.run(0);
        done.add(first);
        done.add(second);
        Trial max = second.offeredPps() > first.offeredPps() ? second : first;
        Trial slower = max == first ? second : first;
        if (max.passed()) {
            return new Row(kind, name, size, workers, trialSeconds, steps, done, max, Double.NaN,
                    "nothing lost at the sender's maximum: the sender is the limit"
                            + (max.detail().isEmpty() ? "" : "; there " + max.detail()));
        }
        double fail = max.offeredPps();
        double failed = Double.NaN;
        Trial best = slower.passed() ? slower : null;
        double pass = best != null ? best.offeredPps() : 0;
        double rate = Math.min(max.deliveredPps() * FIRST_GUESS, fail);
        if (rate <= pass) {
            rate = (pass + fail) / 2;
        }
        for (int i = 0; i < steps && rate >= 1; i++) {
            Trial t = trials.run(Math.max(1, Math.round(rate)));
            done.add(t);
            if (!t.passed()) {
                // A rate fails only when two trials in a row lose: one scheduler hiccup on a shared
                // machine must not halve the answer.
                t = trials.run(Math.max(1, Math.round(rate)));
                done.add(t);
            }
            if (t.passed()) {
                pass = Math.max(pass, rate);
                if (best == null || t.offeredPps() > best.offeredPps()) {
                    best = t;
                }
            } else {
                fail = Math.min(fail, rate);
                failed = fail;
            }
            if (fail - pass <= RESOLUTION * fail) {
                break;
            }
            rate = (pass + fail) / 2;
        }
        String note = best == null ? String.format(Locale.ROOT, "no trial passed down to %s", Metric.rate(
                done.get(done.size() - 1).offeredPps())) : best.detail().isEmpty() ? "" : "at that rate " + best.detail();
        return new Row(kind, name, size, workers, trialSeconds, steps, done, best, failed, note);
    }

    /** A row that could not run. */
    public Row unavailable(String kind, String name, int size, int workers, String note) {
        return new Row(kind, name, size, workers, trialSeconds, steps, List.of(), null, Double.NaN, note);
    }

    /** "trials of 0.5 s, at most 6 after the maximum, bisection to 2 %, pass: loss <= 0.001 %". */
    public String describe() {
        return String.format(Locale.ROOT, "zero-loss: bisection over paced trials of %.2f s, the first two at the sender's"
                + " maximum (upper bound), then at most %d more rates from 98 %% of what it delivered, down to %.0f %%"
                + " between pass and fail; a trial passes with loss <= %s %%, a rate fails after two failed trials", trialSeconds, steps, RESOLUTION * 100,
                LOSS_LIMIT_PERCENT);
    }
}
