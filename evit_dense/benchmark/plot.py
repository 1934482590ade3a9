"""Eval latency against parameters, as a PNG. matplotlib is imported only
when a plot is asked for."""


def plot(rows, title, path):
    """Eval latency against parameters: our archs as a line, the deploy and
    reference rows as markers, the references as grey squares."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ours = sorted((r for r in rows if ':' not in r['name']
                   and not r['name'].startswith('resnet')),
                  key=lambda r: r['params_m'])
    ax.plot([r['params_m'] for r in ours],
            [r['eval_latency_ms'] for r in ours], 'o-', color='tab:blue',
            label='EfficientViT (evit_dense, training form)')
    styles = {'deploy': ('D', 'tab:green', 'deploy form'),
              'official': ('^', 'tab:red', 'official code'),
              'mit': ('^', 'tab:red', "MIT's code")}
    for row in rows:
        name = row['name']
        point = (row['params_m'], row['eval_latency_ms'])
        option = name.partition(':')[2]
        if option in styles:
            marker, color, label = styles[option]
            ax.scatter(*point, marker=marker, color=color, zorder=3,
                       label=f'{name.partition(":")[0]} {label}')
            continue
        if option:  # with_cp: the eval speed of the training form
            continue
        if name.startswith('resnet'):
            ax.scatter(*point, marker='s', color='tab:gray', zorder=3)
        ax.annotate(name, point, textcoords='offset points', xytext=(-4, 8),
                    fontsize=8)
    ax.set_yscale('log')
    ax.set_xlabel('parameters (M)')
    ax.set_ylabel('eval latency (ms, log scale)')
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3, which='both')
    ax.legend(fontsize=8, loc='upper left')
    fig.tight_layout()
    fig.savefig(path, dpi=120)
