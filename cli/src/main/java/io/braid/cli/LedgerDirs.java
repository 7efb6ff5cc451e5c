package io.braid.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where a ledger lives: the gateway keeps it in {@code DATA/ledger}; a validator's {@code --data} is the ledger itself. */
final class LedgerDirs {
    private LedgerDirs() {}

    /** {@code data/ledger} if that holds a ledger (or {@code data} does not), else {@code data}. */
    static Path resolve(Path data) {
        Path nested = data.resolve("ledger");
        if (Files.exists(nested.resolve("genesis.bin"))) return nested;
        if (Files.exists(data.resolve("genesis.bin"))) return data;
        return nested;
    }

    /** Parses a decimal amount of the stablecoin ("1.5") or micro-units ("1500000u") into micro-units, exactly. */
    static long parseAmount(String s) {
        String t = s.strip();
        try {
            if (t.endsWith("u")) return Long.parseLong(t.substring(0, t.length() - 1));
            java.math.BigDecimal d = new java.math.BigDecimal(t).movePointRight(6);
            if (d.signum() < 0) throw new IllegalArgumentException("amount must be positive: " + s);
            return d.longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("not an amount: '" + s + "' (use e.g. 12.5 for 12.5 units or 12500000u for micro-units, at most 6 decimals)");
        }
    }

    /** Micro-units as a decimal string with 6 places. */
    static String format(long micro) {
        return java.math.BigDecimal.valueOf(micro, 6).toPlainString();
    }

    /** Work that may fail on bad input or an unavailable ledger. */
    interface Work {
        Integer run() throws Exception;
    }

    /** Runs {@code w}, turning bad input and ledger errors into a one-line message on stderr and exit code 2. */
    static Integer guard(Work w) {
        try {
            return w.run();
        } catch (IllegalArgumentException | io.braid.ledger.LedgerException | java.io.IOException | java.io.UncheckedIOException e) {
            System.err.println("braid: " + e.getMessage());
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
