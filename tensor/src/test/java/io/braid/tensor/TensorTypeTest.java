package io.braid.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TensorTypeTest {
    @Test
    void ggmlNumberingAndBlockLayouts() {
        assertThat(TensorType.F32.ggmlId()).isEqualTo(0);
        assertThat(TensorType.F16.ggmlId()).isEqualTo(1);
        assertThat(TensorType.BF16.ggmlId()).isEqualTo(30);
        assertThat(TensorType.Q8_0.ggmlId()).isEqualTo(8);
        assertThat(TensorType.Q4_0.ggmlId()).isEqualTo(2);
        for (TensorType t : TensorType.values()) {
            assertThat(TensorType.ofGgmlId(t.ggmlId())).isSameAs(t);
        }
        assertThat(TensorType.Q8_0.byteSize(64)).isEqualTo(68);
        assertThat(TensorType.Q4_0.byteSize(64)).isEqualTo(36);
        assertThat(TensorType.BF16.byteSize(3)).isEqualTo(6);
        assertThat(TensorType.F32.byteSize(3)).isEqualTo(12);
    }

    @Test
    void rejectsPartialBlocksAndUnknownIds() {
        assertThatThrownBy(() -> TensorType.Q4_0.byteSize(33))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("33");
        assertThatThrownBy(() -> TensorType.ofGgmlId(12))
                .isInstanceOf(UnsupportedTensorTypeException.class)
                .hasMessageContaining("12").hasMessageContaining("Q8_0=8");
    }
}
