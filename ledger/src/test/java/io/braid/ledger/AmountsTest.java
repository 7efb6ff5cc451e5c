package io.braid.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class AmountsTest {

    @Test
    void chargeRoundsUpRewardRoundsDown() {
        // 1.5e9 FLOPs at 2,200 µ/TFLOP = 3.3 µ -> charged 4; at cost 2,000 -> 3.0 µ reward exactly
        assertThat(Amounts.charge(1_500_000_000L, 2_200)).isEqualTo(4);
        assertThat(Amounts.reward(1_500_000_000L, 2_000)).isEqualTo(3);
        assertThat(Amounts.charge(1_000_000_000_000L, 2_200)).isEqualTo(2_200); // exact: no rounding up
        assertThat(Amounts.reward(999_999_999_999L, 1)).isZero();
        assertThat(Amounts.charge(1, 1)).isEqualTo(1); // any work costs at least one micro-unit
        assertThat(Amounts.charge(0, 2_200)).isZero();
    }

    @Test
    void priceIsCostPlusMarginRoundedUp() {
        assertThat(Amounts.pricePerTflop(2_000, 100_000)).isEqualTo(2_200);
        assertThat(Amounts.pricePerTflop(3, 100_000)).isEqualTo(4); // 3.3 -> 4
        assertThat(Amounts.pricePerTflop(2_000, 0)).isEqualTo(2_000);
        assertThat(Params.defaults().pricePerTflop()).isEqualTo(2_200);
    }

    @Test
    void splitWorkedExample() {
        // nodes computed 1.5e12 and 0.7e12 FLOPs; cost 2,000, margin 10%, burn 20% of margin
        Amounts.Split s = Amounts.split(new long[] {1_500_000_000_000L, 700_000_000_000L}, 2_000, 100_000, 200_000);
        assertThat(s.charge()).isEqualTo(4_840); // ceil(2.2e12 * 2200 / 1e12)
        assertThat(s.rewards()).containsExactly(3_000, 1_400);
        assertThat(s.burn()).isEqualTo(88); // floor(440 * 0.2)
        assertThat(s.fee()).isEqualTo(352);
    }

    @Test
    void userPaidEqualsRewardsPlusFeePlusBurnExactlyForRandomBills() {
        Random r = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            int n = 1 + r.nextInt(6);
            long[] flops = new long[n];
            for (int j = 0; j < n; j++) flops[j] = r.nextInt(4) == 0 ? r.nextInt(1000) : (long) (r.nextDouble() * 5e15);
            long cost = r.nextInt(3) == 0 ? 1 + r.nextInt(10) : r.nextInt(1_000_000);
            long margin = r.nextInt(2_000_000);
            long burn = r.nextInt(1_000_001);
            Amounts.Split s = Amounts.split(flops, cost, margin, burn);
            long sum = s.fee() + s.burn();
            for (long x : s.rewards()) sum += x;
            assertThat(sum).isEqualTo(s.charge());
            assertThat(s.fee()).isNotNegative();
            assertThat(s.burn()).isNotNegative();
        }
    }

    @Test
    void largeProductsUseExactArithmetic() {
        // 9e18 FLOPs * 1e6 price overflows 64 bits in the intermediate; the result (9e12) does not.
        assertThat(Amounts.charge(9_000_000_000_000_000_000L, 1_000_000)).isEqualTo(9_000_000_000_000L);
        assertThat(Amounts.mulDivFloor(Long.MAX_VALUE, 3, 3)).isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> Amounts.mulDivCeil(Long.MAX_VALUE, 3, 2)).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> Amounts.charge(-1, 5)).hasMessageContaining("non-negative");
    }

    @Test
    void ledgerSourcesContainNoFloatingPoint() throws IOException {
        Path src = Path.of("src/main/java");
        assertThat(src).isDirectory();
        Pattern fp = Pattern.compile("\\b(double|float|Double|Float)\\b");
        try (Stream<Path> files = Files.walk(src)) {
            List<Path> java = files.filter(p -> p.toString().endsWith(".java")).toList();
            assertThat(java).isNotEmpty();
            for (Path p : java) {
                int n = 0;
                for (String line : Files.readAllLines(p)) {
                    n++;
                    String code = line.replaceAll("//.*", "").replaceAll("\"[^\"]*\"", "");
                    assertThat(fp.matcher(code).find()).as("%s:%d uses floating point: %s", p, n, line.strip()).isFalse();
                }
            }
        }
    }
}
