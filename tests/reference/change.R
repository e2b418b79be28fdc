# Change between two waves by the textbook formulas, as an oracle for scoring.change.
#
#   Rscript tests/reference/change.R UNITS.csv
#
# UNITS.csv: unit, n1, mean1, sd1, n2, mean2, sd2, head_count (every unit in both waves, n >= 2).
# Prints, one number a line with 17 significant digits (diff, se, df, ci_low, ci_high, p; 95%):
#   1-6   the organisation as surveyed: difference of two stratified means with head-count weights
#         and finite-population correction, var = sum a_g1 s_g1^2 + sum a_g2 s_g2^2,
#         a_g = w_g^2 (1 - n_g/N_g)/n_g, Satterthwaite's df over every term (Cochran 1977, 5.3-5.4)
#   7-12  a wider pool, paired by unit with head-count weights: d_g = mean2 - mean1, diff = sum w_g d_g,
#         se^2 = P/(P - 1) sum w_g^2 (d_g - diff)^2, df = P - 1 (CR1 of a weighted mean)
#   13-18 the same with equal weights, from t.test(mean2, mean1, paired = TRUE)
# Base R only.
args <- commandArgs(trailingOnly = TRUE)
u <- read.csv(args[1])
level <- 0.95
q <- function(df) qt(1 - (1 - level) / 2, df)
row <- function(diff, se, df) {
  c(diff, se, df, diff - q(df) * se, diff + q(df) * se, 2 * pt(-abs(diff / se), df))
}
w <- u$head_count / sum(u$head_count)
a1 <- w^2 * (1 - u$n1 / u$head_count) / u$n1 * u$sd1^2
a2 <- w^2 * (1 - u$n2 / u$head_count) / u$n2 * u$sd2^2
terms <- c(a1, a2)
nus <- c(u$n1 - 1, u$n2 - 1)
keep <- terms > 0
stratified <- row(sum(w * u$mean2) - sum(w * u$mean1), sqrt(sum(terms)),
                  sum(terms)^2 / sum(terms[keep]^2 / nus[keep]))
d <- u$mean2 - u$mean1
P <- nrow(u)
diff <- sum(w * d)
paired <- row(diff, sqrt(P / (P - 1) * sum(w^2 * (d - diff)^2)), P - 1)
tt <- t.test(u$mean2, u$mean1, paired = TRUE, conf.level = level)
equal <- c(unname(tt$estimate), unname(tt$estimate / tt$statistic), unname(tt$parameter),
           tt$conf.int[1], tt$conf.int[2], tt$p.value)
cat(sprintf("%.17g", c(stratified, paired, equal)), sep = "\n")
