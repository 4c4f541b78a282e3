/** RFC 5322 date-time in UTC: `Tue, 3 Jun 2025 10:00:00 +0000`. */
export function rfc5322Date(d: Date): string {
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][
    d.getUTCMonth()
  ];
  const t = [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
  return `${day}, ${d.getUTCDate()} ${mon} ${d.getUTCFullYear()} ${t} +0000`;
}
