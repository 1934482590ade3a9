from evit_dense.benchmark import backbone_specs, model_specs


def test_backbone_rows_put_ours_first_then_deploy_reference_with_cp():
    specs, reference, note = backbone_specs(['m0', 'm1'], ['resnet18'],
                                            [64, 480], train=True)
    assert specs == ['m0', 'm0:deploy', 'm0:official', 'm0:with_cp', 'm1',
                     'resnet18']
    assert reference == 'official' and note is None


def test_no_official_row_where_the_official_code_fails():
    specs, reference, note = backbone_specs(['m0'], [], [64, 448],
                                            train=False)
    assert specs == ['m0', 'm0:deploy']
    assert note == (
        'No official row: the official code fails when a stage map is '
        'smaller than its window (take an input larger than 448 on one '
        'side).')


def test_mit_archs_are_compared_with_mits_code_at_any_size():
    specs, reference, note = backbone_specs(['b1'], [], [64, 448],
                                            train=False)
    assert specs == ['b1', 'b1:deploy', 'b1:mit']
    assert reference == 'mit' and note is None


def test_model_rows():
    assert model_specs('a.py', ['mmdet::b.py'], train=True) == [
        'a.py', 'a.py#deploy', 'a.py#with_cp', 'mmdet::b.py']
    assert model_specs('a.py', [], train=False) == ['a.py', 'a.py#deploy']
