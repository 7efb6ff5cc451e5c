package io.braid.crypto;

import java.util.HexFormat;

/** Lower-case hex encoding with a clear error for malformed input. */
public final class Hex {
    private static final HexFormat HEX = HexFormat.of();

    private Hex() {}

    /** Encodes bytes as lower-case hex. */
    public static String encode(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    /** Decodes hex (either case); throws {@link IllegalArgumentException} naming the problem. */
    public static byte[] decode(String hex) {
        if (hex == null) throw new IllegalArgumentException("hex string is null");
        String s = hex.strip();
        if (s.length() % 2 != 0) throw new IllegalArgumentException("hex string has odd length " + s.length());
        try {
            return HEX.parseHex(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a hex string: '" + abbreviate(s) + "'");
        }
    }

    static String abbreviate(String s) {
        return s.length() <= 24 ? s : s.substring(0, 24) + "...";
    }
}
