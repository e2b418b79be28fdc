# Organisation-row intervals by their textbook formulas, as an oracle for scoring.estimates.
#
#   Rscript tests/reference/organisation.R DATA.csv
#
# DATA.csv has columns y (respondent score), unit, head_count (the unit's head-count, the same on
# each of its rows). Prints, one number a line with 17 significant digits, for 95% intervals:
#   1-5   as surveyed with head-count weights: mean, se, df, ci_low, ci_high
#   6-10  as surveyed without head-counts (weights n_g, no finite-population correction): the same
#   11-15 wider pool: mean over respondents, CR2 se, Bell-McCaffrey df, ci_low, ci_high
# As surveyed: stratified estimator, var = sum w_g^2 (1 - n_g/N_g) s_g^2 / n_g, a unit of one
# respondent borrows the pooled within-unit variance SSW/(N - G); Satterthwaite's df
# (Cochran 1977, 5.3-5.4). Wider pool: dense matrices, X = 1, H = X (X'X)^-1 X',
# A_g = (I - H_gg)^(-1/2) by eigen-decomposition, V = (X'X)^-1 sum X_g' A_g e_g e_g' A_g X_g (X'X)^-1;
# df = (sum l)^2 / sum l^2 over the eigenvalues l of M'M with M's column g equal to
# (I - H)[, g] A_g X_g (X'X)^-1 (Bell & McCaffrey 2002; Pustejovsky & Tipton 2018, working model
# of independent errors). Base R only.
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
level <- 0.95
f <- factor(d$unit)
units <- levels(f)
n <- as.numeric(table(f))
ybar <- as.numeric(tapply(d$y, f, mean))
s2 <- as.numeric(tapply(d$y, f, function(x) if (length(x) > 1) var(x) else NA))
heads <- as.numeric(tapply(d$head_count, f, function(x) x[1]))
N <- sum(n)
G <- length(n)
pooled <- sum((n - 1) * ifelse(is.na(s2), 0, s2)) / (N - G)
own <- n > 1
s2u <- ifelse(own, s2, pooled)
nu <- ifelse(own, n - 1, N - G)
surveyed <- function(W, fraction) {
  w <- W / sum(W)
  term <- w^2 * (1 - fraction) / n * s2u
  est <- sum(w * ybar)
  se <- sqrt(sum(term))
  keep <- term > 0
  df <- sum(term)^2 / sum(term[keep]^2 / nu[keep])
  q <- qt(1 - (1 - level) / 2, df)
  c(est, se, df, est - q * se, est + q * se)
}
with_heads <- surveyed(heads, n / heads)
without <- surveyed(n, rep(0, G))

X <- matrix(1, N, 1)
bread <- solve(crossprod(X))
H <- X %*% bread %*% t(X)
e <- d$y - as.numeric(X %*% bread %*% crossprod(X, d$y))
meat <- 0
columns <- NULL
for (g in units) {
  i <- which(d$unit == g)
  eig <- eigen(diag(length(i)) - H[i, i, drop = FALSE], symmetric = TRUE)
  A <- eig$vectors %*% diag(1 / sqrt(eig$values), length(i)) %*% t(eig$vectors)
  u <- t(X[i, , drop = FALSE]) %*% A %*% e[i]
  meat <- meat + u %*% t(u)
  columns <- cbind(columns, (diag(N) - H)[, i, drop = FALSE] %*% A %*% X[i, , drop = FALSE] %*% bread)
}
V <- bread %*% meat %*% bread
l <- eigen(crossprod(columns), symmetric = TRUE, only.values = TRUE)$values
df <- sum(l)^2 / sum(l^2)
est <- mean(d$y)
se <- sqrt(V[1, 1])
q <- qt(1 - (1 - level) / 2, df)
cat(sprintf("%.17g", c(with_heads, without, est, se, df, est - q * se, est + q * se)), sep = "\n")
