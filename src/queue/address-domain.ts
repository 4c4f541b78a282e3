/** The lower-cased domain of an envelope address; '' for the null sender or a bare local part. */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase();
}
