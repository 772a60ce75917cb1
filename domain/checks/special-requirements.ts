/** Engineering's check: every special requirement needs a person to confirm it can be made. */
import type { Finding } from '../types';

/** One SPECIAL_REQUIREMENT finding per requirement; none when the order has no special requirements. */
export function checkSpecialRequirements(reqs: string[]): Finding[] {
  return reqs.map((req, i) => ({
    code: 'SPECIAL_REQUIREMENT',
    message: `special requirement ${i + 1} of ${reqs.length} needs engineering review: "${req}"`,
  }));
}
