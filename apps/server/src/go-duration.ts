/**
 * Go's `time.Duration.String()` for a non-negative duration given in milliseconds, which
 * etcd prints as `leaderInfo.uptime` (e.g. `1.606s`, `2m3.5s`, `1h0m0s`, `250ms`).
 */
export function formatGoDuration(milliseconds: number): string {
  const whole = Math.max(0, Math.round(milliseconds));
  if (whole === 0) return '0s';
  if (whole < 1000) return `${whole}ms`;
  const hours = Math.floor(whole / 3_600_000);
  const minutes = Math.floor((whole % 3_600_000) / 60_000);
  const seconds = (whole % 60_000) / 1000;
  const secondsText = `${trimFraction(seconds.toFixed(3))}s`;
  if (hours > 0) return `${hours}h${minutes}m${secondsText}`;
  if (minutes > 0) return `${minutes}m${secondsText}`;
  return secondsText;
}

function trimFraction(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}
