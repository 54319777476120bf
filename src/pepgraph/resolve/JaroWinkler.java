package pepgraph.spark;

import java.nio.charset.StandardCharsets;

import org.apache.spark.sql.api.java.UDF2;

/**
 * DuckDB's jaro_winkler_similarity as a Spark function, so that one model means the same on both
 * of resolve's engines (pepgraph/resolve/spark.py compiles this file when a JDK is there, and
 * writes the same function in Spark SQL when not). Like DuckDB it compares UTF-8 bytes, counts
 * half the matched bytes out of order, rounded down, as transpositions, and adds the common
 * prefix (up to 4) at 0.1 when the Jaro similarity is above 0.7; an empty string scores 0.
 * Splink's jar has a jaro_winkler that does not round the transpositions down.
 */
public class JaroWinkler implements UDF2<String, String, Double> {
    @Override
    public Double call(String left, String right) {
        if (left == null || right == null) {
            return null;
        }
        byte[] a = left.getBytes(StandardCharsets.UTF_8);
        byte[] b = right.getBytes(StandardCharsets.UTF_8);
        int n1 = a.length, n2 = b.length;
        if (n1 == 0 || n2 == 0) {
            return 0.0;
        }
        int window = Math.max(Math.max(n1, n2) / 2 - 1, 0);
        boolean[] used = new boolean[n2];
        byte[] first = new byte[n1];
        int matched = 0;
        for (int i = 0; i < n1; i++) {
            int hi = Math.min(n2 - 1, i + window);
            for (int j = Math.max(0, i - window); j <= hi; j++) {
                if (!used[j] && b[j] == a[i]) {
                    used[j] = true;
                    first[matched++] = a[i];
                    break;
                }
            }
        }
        if (matched == 0) {
            return 0.0;
        }
        int k = 0, outOfOrder = 0;
        for (int j = 0; j < n2; j++) {
            if (used[j]) {
                if (b[j] != first[k]) {
                    outOfOrder++;
                }
                k++;
            }
        }
        double jaro = ((double) matched / n1 + (double) matched / n2
                + (double) (matched - outOfOrder / 2) / matched) / 3;
        if (jaro > 0.7) {
            int prefix = 0, most = Math.min(4, Math.min(n1, n2));
            while (prefix < most && a[prefix] == b[prefix]) {
                prefix++;
            }
            jaro = jaro + prefix * 0.1 * (1 - jaro);
        }
        return jaro;
    }
}
