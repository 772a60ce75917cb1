/** Management's check: may the order be approved without a person? */
import { formatMoney } from '../money';
import type { Finding, ResolvedPolicy, StepStatus } from '../types';

const AUTOMATIC: readonly StepStatus[] = ['auto_approved', 'skipped'];

/** Empty when final approval is automatic: every earlier step automatic, total and risk within the policy limits. */
export function checkFinalApproval(input: {
  earlierStepStatuses: StepStatus[];
  totalMinor: number;
  riskScore: number;
  autoApprove: ResolvedPolicy['autoApprove'];
}): Finding[] {
  const { autoApprove } = input;
  const findings: Finding[] = [];

  const manual = input.earlierStepStatuses.filter((s) => !AUTOMATIC.includes(s)).length;
  if (manual > 0) {
    findings.push({
      code: 'MANUAL_DECISIONS_EARLIER',
      message: `${manual} earlier step${manual === 1 ? '' : 's'} needed a human decision`,
    });
  }
  if (input.totalMinor > autoApprove.finalApprovalLimitMinor) {
    findings.push({
      code: 'FINAL_APPROVAL_LIMIT_EXCEEDED',
      message:
        `order total ${formatMoney(input.totalMinor)} exceeds the automatic approval limit ` +
        `${formatMoney(autoApprove.finalApprovalLimitMinor)}`,
    });
  }
  if (input.riskScore > autoApprove.maxRiskScore) {
    findings.push({
      code: 'RISK_SCORE_TOO_HIGH',
      message: `risk score ${input.riskScore} is above the automatic approval maximum of ${autoApprove.maxRiskScore}`,
    });
  }
  return findings;
}
