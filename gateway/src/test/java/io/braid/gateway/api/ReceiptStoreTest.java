package io.braid.gateway.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReceiptStoreTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aReceiptSurvivesARestartInItsLatestVersion(@TempDir Path dir) {
        ReceiptStore store = new ReceiptStore(dir.resolve("receipts"), json);
        store.put("cmpl-abc", json.createObjectNode().put("status", "pending"));
        store.put("cmpl-abc", json.createObjectNode().put("status", "settled").put("charge", 7));

        ReceiptStore reopened = new ReceiptStore(dir.resolve("receipts"), json);
        ObjectNode r = reopened.get("cmpl-abc").orElseThrow();
        assertThat(r.get("status").asText()).isEqualTo("settled");
        assertThat(r.get("charge").asLong()).isEqualTo(7);
        assertThat(reopened.get("cmpl-unknown")).isEmpty();
    }

    @Test
    void idsThatCouldEscapeTheDirectoryAreRefused(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("secret.json"), "{\"status\":\"x\"}");
        ReceiptStore store = new ReceiptStore(dir.resolve("receipts"), json);
        assertThat(store.get("../secret")).isEmpty();
        assertThatThrownBy(() -> store.put("../secret", json.createObjectNode()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCorruptFileIsAnUnknownReceiptNotACrash(@TempDir Path dir) throws Exception {
        Path receipts = dir.resolve("receipts");
        ReceiptStore store = new ReceiptStore(receipts, json);
        Files.writeString(receipts.resolve("cmpl-torn.json"), "{\"status\":");
        assertThat(store.get("cmpl-torn")).isEmpty();
    }
}
