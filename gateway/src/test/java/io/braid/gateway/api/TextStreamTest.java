package io.braid.gateway.api;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class TextStreamTest {

    @Test
    void completePrefixHoldsBackASplitCharacter() {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8); // 3 bytes
        byte[] emoji = "🙂".getBytes(StandardCharsets.UTF_8); // 4 bytes
        assertThat(TextStream.completePrefix("ab".getBytes(StandardCharsets.UTF_8))).isEqualTo(2);
        assertThat(TextStream.completePrefix(new byte[]{'a', euro[0]})).isEqualTo(1);
        assertThat(TextStream.completePrefix(new byte[]{'a', euro[0], euro[1]})).isEqualTo(1);
        assertThat(TextStream.completePrefix(new byte[]{'a', euro[0], euro[1], euro[2]})).isEqualTo(4);
        assertThat(TextStream.completePrefix(new byte[]{emoji[0], emoji[1], emoji[2]})).isZero();
        assertThat(TextStream.completePrefix(emoji)).isEqualTo(4);
        assertThat(TextStream.completePrefix(new byte[0])).isZero();
    }

    @Test
    void invalidBytesAreNotHeldForever() {
        // A stray continuation byte can never complete: it is passed on (and decodes to U+FFFD).
        assertThat(TextStream.completePrefix(new byte[]{'a', (byte) 0x80})).isEqualTo(2);
        assertThat(TextStream.completePrefix(new byte[]{(byte) 0xFF})).isEqualTo(1);
    }
}
