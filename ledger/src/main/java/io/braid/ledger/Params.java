package io.braid.ledger;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Economic and protocol parameters, held on the ledger and changed only by governance.
 * All integers: money in micro-units, fractions in ppm (1,000,000 = 100%), periods in blocks or milliseconds.
 *
 * @param costPerTflop       contributor cost rate, micro-units per TFLOP (what nodes earn)
 * @param marginPpm          protocol margin over cost (cost-plus); price = ceil(cost × (1e6 + margin) / 1e6)
 * @param burnSharePpm       share of the margin that is burned; the rest is the protocol fee to the treasury
 * @param minStake           minimum stake (micro-units) for a node's owner to be scheduled
 * @param unbondingBlocks    blocks an unstaked amount waits before it can be withdrawn
 * @param slashFractionPpm   fraction of the owner's stake slashed per proven fraud
 * @param reporterSharePpm   share of a slash paid to the reporter; the rest is burned
 * @param auditRatePpm       fraction of tasks audited (read by the verification layer)
 * @param blockIntervalMillis the longest a submitted transaction waits before a block is proposed
 * @param votingPeriodBlocks blocks a proposal is open for votes
 * @param quorumPpm          share of total stake that must vote for a proposal to count
 * @param thresholdPpm       share of the voting stake that must vote yes for a proposal to pass
 */
public record Params(long costPerTflop, long marginPpm, long burnSharePpm, long minStake, long unbondingBlocks,
                     long slashFractionPpm, long reporterSharePpm, long auditRatePpm, long blockIntervalMillis,
                     long votingPeriodBlocks, long quorumPpm, long thresholdPpm) {

    /** Names used by governance proposals, in encoding order. */
    public static final List<String> NAMES = List.of("costPerTflop", "marginPpm", "burnSharePpm", "minStake",
            "unbondingBlocks", "slashFractionPpm", "reporterSharePpm", "auditRatePpm", "blockIntervalMillis",
            "votingPeriodBlocks", "quorumPpm", "thresholdPpm");

    /**
     * Development defaults: $0.002 per TFLOP to contributors, 10% margin (20% of it burned), 100-unit minimum
     * stake, 100-block unbonding, 50% slash with 10% of it to the reporter, 1% audits, 1 s blocks,
     * 20-block votes with 33.4% quorum and 66.7% threshold.
     */
    public static Params defaults() {
        return new Params(2_000, 100_000, 200_000, 100_000_000, 100, 500_000, 100_000, 10_000, 1_000, 20, 334_000, 667_000);
    }

    public Params {
        Map<String, Long> m = asMapUnchecked(costPerTflop, marginPpm, burnSharePpm, minStake, unbondingBlocks,
                slashFractionPpm, reporterSharePpm, auditRatePpm, blockIntervalMillis, votingPeriodBlocks, quorumPpm, thresholdPpm);
        for (var e : m.entrySet()) validate(e.getKey(), e.getValue());
    }

    /** Price per TFLOP charged to users. */
    public long pricePerTflop() {
        return Amounts.pricePerTflop(costPerTflop, marginPpm);
    }

    /** Throws {@link IllegalArgumentException} naming the parameter if {@code value} is out of range. */
    public static void validate(String name, long value) {
        switch (name) {
            case "costPerTflop", "minStake", "unbondingBlocks" -> range(name, value, 0, Long.MAX_VALUE / 4);
            case "marginPpm" -> range(name, value, 0, 10 * Amounts.PPM);
            case "burnSharePpm", "slashFractionPpm", "reporterSharePpm", "auditRatePpm", "quorumPpm", "thresholdPpm" ->
                    range(name, value, 0, Amounts.PPM);
            case "blockIntervalMillis" -> range(name, value, 10, 60_000);
            case "votingPeriodBlocks" -> range(name, value, 1, 10_000_000);
            default -> throw new IllegalArgumentException("unknown parameter '" + name + "' (known: " + String.join(", ", NAMES) + ")");
        }
    }

    private static void range(String name, long v, long lo, long hi) {
        if (v < lo || v > hi) throw new IllegalArgumentException("parameter " + name + "=" + v + " outside " + lo + ".." + hi);
    }

    /** The value of the named parameter. */
    public long get(String name) {
        Long v = asMap().get(name);
        if (v == null) throw new IllegalArgumentException("unknown parameter '" + name + "' (known: " + String.join(", ", NAMES) + ")");
        return v;
    }

    /** A copy with one parameter changed (validated). */
    public Params with(String name, long value) {
        validate(name, value);
        Map<String, Long> m = asMap();
        m.put(name, value);
        return fromMap(m);
    }

    /** Parameters by name, in {@link #NAMES} order. */
    public Map<String, Long> asMap() {
        return asMapUnchecked(costPerTflop, marginPpm, burnSharePpm, minStake, unbondingBlocks, slashFractionPpm,
                reporterSharePpm, auditRatePpm, blockIntervalMillis, votingPeriodBlocks, quorumPpm, thresholdPpm);
    }

    private static Map<String, Long> asMapUnchecked(long... v) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < NAMES.size(); i++) m.put(NAMES.get(i), v[i]);
        return m;
    }

    static Params fromMap(Map<String, Long> m) {
        long[] v = new long[NAMES.size()];
        for (int i = 0; i < v.length; i++) v[i] = m.get(NAMES.get(i));
        return new Params(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11]);
    }

    void encode(Enc e) {
        for (long v : asMap().values()) e.i64(v);
    }

    static Params decode(Dec d) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String n : NAMES) m.put(n, d.i64("param " + n));
        try {
            return fromMap(m);
        } catch (IllegalArgumentException e) {
            throw new MalformedException(e.getMessage());
        }
    }
}
