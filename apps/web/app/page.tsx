import { HealthStatus } from './health-status';

export default function HomePage() {
  return (
    <main>
      <h1>Overcommit</h1>
      <p className="lede">A live, multi-user simulator and monitor of virtualized clusters.</p>
      <HealthStatus />
    </main>
  );
}
