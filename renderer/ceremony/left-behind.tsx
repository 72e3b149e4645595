/** What a stopped (or finished) ceremony left for someone to deal with, as a list; nothing when it left nothing. */
export function LeftBehind({ looseEnds }: { looseEnds: readonly string[] }) {
  if (looseEnds.length === 0) return null;
  return (
    <>
      <p>Left for someone to deal with:</p>
      <ul>
        {looseEnds.map((l) => (
          <li key={l}>{l}</li>
        ))}
      </ul>
    </>
  );
}
